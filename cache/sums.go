package cache

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// GlucoseSums adds up, for each period, the readings in [to-period, to)
// into stats.Sums, in one pass of SQLite over the readings table: the
// monitor's statistics then cost a few integers, not 90 days of readings
// in memory. The result has one Sums per period, in order; a reading
// counts as stats.Value says (HIGH and LOW as the sensor's bounds, no
// value not at all).
func (db *DB) GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error) {
	out := make([]stats.Sums, len(periods))
	if len(periods) == 0 {
		return out, nil
	}
	q, args := sumsQuery(to, periods)
	dest := make([]any, 0, len(periods)*(3+int(stats.NumBands)))
	for i := range out {
		s := &out[i]
		dest = append(dest, &s.Count, &s.Sum, &s.SumSquares)
		for b := range s.Bands {
			dest = append(dest, &s.Bands[b])
		}
	}
	if err := db.r.QueryRowContext(ctx, q, args...).Scan(dest...); err != nil {
		return nil, db.fail("add up readings for statistics", err)
	}
	return out, nil
}

// sumsQuery builds the one SELECT behind GlucoseSums: the inner query
// turns each reading of the longest period into its value v and band b,
// the outer one aggregates them per period with FILTER, so SQLite scans the
// primary key range once whatever the number of periods. Every number the
// statistics depend on (statuses, HIGH and LOW values, band limits) is a
// parameter taken from stats and this package, never a literal.
func sumsQuery(to time.Time, periods []time.Duration) (string, []any) {
	_, hi := secondsRange(to, to)
	lows := make([]int64, len(periods))
	lowest := hi
	for i, p := range periods {
		lows[i], _ = secondsRange(to.Add(-p), to)
		lowest = min(lowest, lows[i])
	}
	args := []any{
		statusCode(client.StatusOK), statusCode(client.StatusHigh), statusCode(client.StatusLow), // ?1–?3
		stats.HighValue, stats.LowValue, // ?4, ?5
		stats.VeryLowBelow, stats.LowBelow, stats.HighAbove, stats.VeryHighAbove, // ?6–?9
		lowest, hi, // ?10, ?11
	}
	var cols []string
	for _, lo := range lows {
		args = append(args, lo)
		in := fmt.Sprintf("t >= ?%d", len(args))
		cols = append(cols,
			"count(*) FILTER (WHERE "+in+")",
			"coalesce(sum(v) FILTER (WHERE "+in+"), 0)",
			"coalesce(sum(v*v) FILTER (WHERE "+in+"), 0)")
		for b := range stats.NumBands {
			cols = append(cols, fmt.Sprintf("count(*) FILTER (WHERE %s AND b = %d)", in, b))
		}
	}
	// The band CASE mirrors stats.BandOf: < very low, < low, <= high,
	// <= very high, above.
	band := fmt.Sprintf("CASE WHEN v < ?6 THEN %d WHEN v < ?7 THEN %d WHEN v <= ?8 THEN %d WHEN v <= ?9 THEN %d ELSE %d END",
		stats.VeryLow, stats.Low, stats.InRange, stats.High, stats.VeryHigh)
	q := `SELECT ` + strings.Join(cols, ",\n\t") + `
	FROM (SELECT t, v, ` + band + ` AS b
		FROM (SELECT t, CASE status
				WHEN ?2 THEN ?4
				WHEN ?3 THEN ?5
				WHEN ?1 THEN CASE WHEN value > 0 THEN value END
			END AS v
			FROM readings WHERE t >= ?10 AND t < ?11)
		WHERE v IS NOT NULL)`
	return q, args
}
