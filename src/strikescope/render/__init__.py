"""Drawing: the colours, the tile map, the charts and the report index."""
