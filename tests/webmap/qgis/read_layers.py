"""Run by Debian's /usr/bin/python3 with QGIS (python3-qgis), offscreen: loads each layer named on stdin and
prints what QGIS made of it as JSON. Not a test module: tests/webmap/test_qgis.py runs it."""
import json
import sys

from qgis.core import QgsApplication, QgsVectorLayer, QgsWkbTypes


def read(name: str, uri: str, provider: str) -> dict:
    layer = QgsVectorLayer(uri, name, provider)
    if not layer.isValid():
        return {"valid": False, "error": layer.dataProvider().error().message() if layer.dataProvider() else ""}
    result = {"valid": True}
    features = list(layer.getFeatures())
    result.update(
        count=len(features),
        feature_count=layer.featureCount(),
        geometry_type=QgsWkbTypes.displayString(layer.wkbType()),
        with_geometry=sum(1 for f in features if f.hasGeometry() and not f.geometry().isEmpty()),
        fields=[field.name() for field in layer.fields()],
    )
    if "reported_at" in result["fields"]:
        result["reported_at"] = {
            str(f["id"]): {"type": type(f["reported_at"]).__name__,
                           "clock": f["reported_at"].toString("yyyy-MM-ddTHH:mm:ss")}
            for f in features
        }
    return result


asked = json.load(sys.stdin)
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
found = {name: read(name, uri, provider) for name, (uri, provider) in asked["layers"].items()}
json.dump(found, sys.stdout)
sys.stdout.flush()
app.exitQgis()
