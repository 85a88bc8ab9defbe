package cache

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cgmtop/cgmtop/client"
	"github.com/cgmtop/cgmtop/stats"
)

// GlucoseSums adds up, for each period, the readings in [to-period, to)
// into stats.Sums, inside SQLite: the monitor's statistics then cost a few
// integers, not 90 days of readings in memory. The result has one Sums per
// period, in order; a reading counts as stats.Value says (HIGH and LOW as
// the sensor's bounds, a reading without a value not at all).
func (db *DB) GlucoseSums(ctx context.Context, to time.Time, periods ...time.Duration) ([]stats.Sums, error) {
	// The periods share their end, so they nest: cut the longest at every
	// other one's start and each reading falls in exactly one segment,
	// summed once. A period is then the segments from its start to the end.
	_, hi := secondsRange(to, to)
	starts := make([]int64, len(periods))
	for i, p := range periods {
		starts[i], _ = secondsRange(to.Add(-p), to)
		starts[i] = min(starts[i], hi) // an empty or negative period
	}
	bounds := append([]int64{hi}, starts...)
	slices.Sort(bounds)
	slices.Reverse(bounds)
	bounds = slices.Compact(bounds) // hi, then starts from latest to earliest

	segs := make([]stats.Sums, len(bounds)-1)
	if len(segs) > 0 {
		if err := db.sumSegments(ctx, bounds, segs); err != nil {
			return nil, err
		}
	}
	out := make([]stats.Sums, len(periods))
	for i, lo := range starts {
		for k := 0; k < len(segs) && bounds[k+1] >= lo; k++ {
			out[i].Merge(segs[k])
		}
	}
	return out, nil
}

// sumSegments fills segs[k] with the sums of the readings in
// [bounds[k+1], bounds[k]), in one statement.
func (db *DB) sumSegments(ctx context.Context, bounds []int64, segs []stats.Sums) error {
	// Every number the statistics depend on (statuses, what HIGH and LOW
	// count as, band limits) is a parameter from stats and this package.
	args := []any{
		statusCode(client.StatusOK), statusCode(client.StatusHigh), statusCode(client.StatusLow), // ?1–?3
		stats.HighValue, stats.LowValue, // ?4, ?5
		stats.VeryLowBelow, stats.LowBelow, stats.HighAbove, stats.VeryHighAbove, // ?6–?9
	}
	for _, b := range bounds {
		args = append(args, b)
	}
	// The inner SELECT turns a row into its value v, or NULL when it has
	// none. LIMIT -1 keeps SQLite from flattening it into the outer one,
	// which would evaluate the CASE again for each aggregate that uses v:
	// twice as slow. The band columns count readings under each limit, as
	// stats.BandOf draws them.
	var q strings.Builder
	for k := range segs {
		if k > 0 {
			q.WriteString("\nUNION ALL\n")
		}
		fmt.Fprintf(&q, `SELECT %d, count(*), coalesce(sum(v), 0), coalesce(sum(v*v), 0),
	coalesce(sum(v < ?6), 0), coalesce(sum(v < ?7), 0), coalesce(sum(v <= ?8), 0), coalesce(sum(v <= ?9), 0)
FROM (SELECT CASE status WHEN ?2 THEN ?4 WHEN ?3 THEN ?5 WHEN ?1 THEN CASE WHEN value > 0 THEN value END END AS v
	FROM readings WHERE t >= ?%d AND t < ?%d LIMIT -1)
WHERE v IS NOT NULL`, k, 10+k+1, 10+k)
	}
	rows, err := db.r.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return db.fail("add up readings for statistics", err)
	}
	defer rows.Close()
	var k, seen int
	var s stats.Sums
	var under [4]int // readings under each band limit
	dest := []any{&k, &s.Count, &s.Sum, &s.SumSquares, &under[0], &under[1], &under[2], &under[3]}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return db.fail("add up readings for statistics", err)
		}
		if k < 0 || k >= len(segs) {
			return fmt.Errorf("add up readings for statistics: SQLite returned segment %d of %d", k, len(segs))
		}
		s.Bands = [stats.NumBands]int{
			stats.VeryLow:  under[0],
			stats.Low:      under[1] - under[0],
			stats.InRange:  under[2] - under[1],
			stats.High:     under[3] - under[2],
			stats.VeryHigh: s.Count - under[3],
		}
		segs[k] = s
		seen++
	}
	if err := rows.Err(); err != nil {
		return db.fail("add up readings for statistics", err)
	}
	if seen != len(segs) {
		return fmt.Errorf("add up readings for statistics: SQLite returned %d segments of %d", seen, len(segs))
	}
	return nil
}
