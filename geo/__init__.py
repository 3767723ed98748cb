"""Pure geospatial logic for the Jintan Road neighbourhood map.

Nothing in this package imports Flask or a database: functions take and
return GeoDataFrames or plain values.
"""
