//go:build !race

package lambda_test

const raceEnabled = false
