-- The PostgreSQL schema gains herold_fold() for the search by name or
-- address; SQLite needs nothing: its search builds a GLOB pattern with a
-- class per letter ("[üÜ]"), see search.go. This migration keeps the two
-- schemas at the same version.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
