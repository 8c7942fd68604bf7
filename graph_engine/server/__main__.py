"""``python -m graph_engine.server``: the training process the editor starts."""

import sys

from .process import main

sys.exit(main())
