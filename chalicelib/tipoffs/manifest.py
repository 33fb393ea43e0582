"""疫情举报: tip-offs about returnees and gatherings, handled by the village."""

from ..core.modules import Module

MODULE = Module(id="tipoffs", name="疫情举报", name_en="Epidemic tip-offs", icon="alert",
                packages=("chalicelib.tipoffs",), summary="举报返乡人员与聚集活动，可匿名，村里处置并转报县防疫指挥部")
