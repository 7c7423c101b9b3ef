package impact

import (
	"context"

	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
)

// configView is a configuration a replay decides with: the proposed one
// or the stored one.
type configView = ingest.ReplanConfig

// fixedConfig is a proposed configuration, indexed by key.
type fixedConfig struct {
	projects map[string]*model.Project
	flows    map[string]*model.Flow
}

func newFixedConfig(cfg Config) *fixedConfig {
	c := &fixedConfig{projects: make(map[string]*model.Project, len(cfg.Projects)), flows: make(map[string]*model.Flow, len(cfg.Flows))}
	for i := range cfg.Projects {
		c.projects[cfg.Projects[i].Key] = &cfg.Projects[i]
	}
	for i := range cfg.Flows {
		c.flows[cfg.Flows[i].Key] = &cfg.Flows[i]
	}
	return c
}

// Project implements ingest.ReplanConfig.
func (c *fixedConfig) Project(_ context.Context, key string) (*model.Project, error) {
	return c.projects[key], nil
}

// Flow implements ingest.ReplanConfig.
func (c *fixedConfig) Flow(_ context.Context, key string) (*model.Flow, error) {
	return c.flows[key], nil
}
