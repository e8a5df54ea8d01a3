"""Discover: find modules, workspaces, vendor trees, the module cache and GOROOT."""
