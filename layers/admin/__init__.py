"""The planners' admin of layers: the layer pages (layer.py) with the upload form (forms.py),
the style editor (style.py), the versions (versions.py), what lists show of a layer
(display.py) and the layers' section of the planner's home (home.py)."""

from .layer import LayerAdmin

__all__ = ["LayerAdmin"]
