package statusline

import (
	"time"

	"github.com/cgmtop/cgmtop/cache"
	"github.com/cgmtop/cgmtop/client"
)

// sampleFreshness is a made-up reading that ParseTemplate tries templates on.
func sampleFreshness() cache.Freshness {
	t := time.Unix(300, 0).UTC()
	return cache.Freshness{
		Latest:   client.Reading{Time: t, Value: 112, Status: client.StatusOK, Trend: client.TrendFlat},
		Previous: client.Reading{Time: t.Add(-5 * time.Minute), Value: 109, Status: client.StatusOK, Trend: client.TrendFlat},
	}
}
