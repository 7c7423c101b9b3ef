// Package scaletest holds the scale-out tests: several replicas on one
// PostgreSQL database. They need PostgreSQL (HEROLD_TEST_POSTGRES; make test
// starts one) and skip without it.
package scaletest
