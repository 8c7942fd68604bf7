"""Stage 6: training runs, metrics, probes of the network's inside, and the trace of one sample."""
