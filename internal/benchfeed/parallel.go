package benchfeed

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// Parallel calls fn(i) for every i in [0, n), on width goroutines (0: as
// many as Go may run at once), and returns the first error; after an
// error no new i is started.
func Parallel(width, n int, fn func(i int) error) error {
	if width <= 0 {
		width = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	var failed atomic.Bool
	var mu sync.Mutex
	var first error
	for range width {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// Median is the median of v (0 when v is empty), as the benchmarks report.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
