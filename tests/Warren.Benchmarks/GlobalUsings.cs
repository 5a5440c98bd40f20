// The plumbing that generated code calls (Warren.Infrastructure) is used throughout this project.
global using Warren.Infrastructure;
