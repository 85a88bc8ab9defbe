package dexcom

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// egvBody builds a v3 egvs body of n records, 5 minutes apart, newest
// first as Dexcom sends them, with every field a real response carries.
func egvBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"recordType":"egv","recordVersion":"3.0","userId":"a2ddc3bd-6bc3-4cd6-8fa8-3c4b0e6c2a11","records":[`)
	t0 := time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)
	pdt := time.FixedZone("", -7*3600)
	trends := []string{"flat", "fortyFiveUp", "singleDown", "notComputable"}
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		t := t0.Add(-time.Duration(i) * 5 * time.Minute)
		fmt.Fprintf(&b, `{"recordId":"%08x-6bc3-4cd6-8fa8-3c4b0e6c2a11","systemTime":"%s","displayTime":"%s","transmitterId":"8ABC12","transmitterTicks":%d,"value":%d,"status":null,"trend":"%s","trendRate":%.1f,"unit":"mg/dL","rateUnit":"mg/dL/min","displayDevice":"iOS","transmitterGeneration":"g7"}`,
			i, t.Format("2006-01-02T15:04:05"), t.In(pdt).Format(time.RFC3339), 1000000-i*300, 70+i%200, trends[i%len(trends)], float64(i%40-20)/10)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkDecodeEGVs30Days decodes 30 days of readings (8,640 records), the
// largest body one v3 request returns.
func BenchmarkDecodeEGVs30Days(b *testing.B) {
	body := egvBody(8640)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		recs, err := decodeEGVs(bytes.NewReader(body))
		if err != nil || len(recs) != 8640 {
			b.Fatalf("decoded %d records: %v", len(recs), err)
		}
	}
}
