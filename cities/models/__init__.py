from .places import City, Region

__all__ = ["City", "Region"]
