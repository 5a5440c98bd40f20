// Plumbing that generated code calls lives in Warren.Infrastructure; the runtime itself uses it everywhere.
global using Warren.Infrastructure;
