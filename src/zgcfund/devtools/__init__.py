"""Developer tools: synthetic data for tests, demos and benchmarks. Not used at run time."""
