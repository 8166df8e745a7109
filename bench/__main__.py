"""`python -m bench` runs the pipeline benchmark (see bench/pipeline.py)."""

import sys

from bench.pipeline import main

sys.exit(main())
