//go:build !unix

package bench

import "os"

// peakRSS is unknown on systems without getrusage.
func peakRSS(*os.ProcessState) int64 { return 0 }
