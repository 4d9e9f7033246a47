"""Press monitoring: what domestic and foreign news outlets publish about a province — feeds polled politely,
articles extracted, clustered and matched to a watch list — reviewed, answered through the workflow, digested."""
