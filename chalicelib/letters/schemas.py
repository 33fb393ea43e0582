from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Strict, Text


class LetterIn(Strict):
    to: Literal["village", "township"] = Field(default="village",
                                               description="the village leaders (村两委) or the township (乡镇)")
    category: str = Field(max_length=40, description="a category code of GET /cases/types (type letter)")
    text: Text = Field(min_length=5, max_length=2000)
    anonymous: bool = Field(default=False, description="hide the writer from staff (the platform still knows)")
    photos: list[str] = Field(default_factory=list, max_length=3, description="upload keys (POST /cases/uploads)")
