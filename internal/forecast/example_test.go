package forecast_test

import (
	"fmt"
	"math"
	"time"

	"github.com/tallyhq/tally/internal/forecast"
)

func ExampleForecast() {
	// Ninety days of history at about 100 a day, a 400 charge on each first
	// of the month, and today (2024-03-31) known up to 09:00.
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	hist := forecast.Series{Start: start}
	for d := start; d.Before(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		v := 100 + float64(d.YearDay()%5)
		if d.Day() == 1 {
			v += 400
		}
		hist.Values = append(hist.Values, v)
	}
	hist.Values = append(hist.Values, 30) // today so far
	asOf := time.Date(2024, 3, 31, 9, 0, 0, 0, time.UTC)

	res, err := forecast.Forecast(hist, asOf.Truncate(24*time.Hour), time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		forecast.Options{Level: 0.8, AsOf: asOf})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.Months {
		fmt.Printf("%s..%s: about %.0f\n", m.Start.Format(time.DateOnly), m.End.Format(time.DateOnly), math.Round(m.Mean/100)*100)
	}
	fmt.Printf("April 1st: about %.0f\n", math.Round(res.Days[1].Mean/10)*10)

	_, err = forecast.Forecast(forecast.Series{Start: start, Values: hist.Values[:10]}, start.AddDate(0, 0, 10), start.AddDate(0, 0, 20),
		forecast.Options{AsOf: start.AddDate(0, 0, 10)})
	fmt.Println(err)
	// Output:
	// 2024-03-31..2024-04-01: about 100
	// 2024-04-01..2024-05-01: about 3500
	// April 1st: about 500
	// forecast: 10 complete days, need 14: insufficient history
}
