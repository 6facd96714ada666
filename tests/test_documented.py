"""Field descriptions from the docstrings under the fields (strictmodel.Documented), as
pydantic's use_attribute_docstrings gives them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipelinegen.core.model import Service
from pipelinegen.core.strictmodel import Documented


class Reference(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)

    name: str
    """The name.

        Indented on."""
    size: int = Field(default=0, description="given")
    """Not this one: the given description wins."""
    plain: int = 0
    _note: str = "a private attribute"
    """Not a field's."""

    class Inner(BaseModel):
        model_config = ConfigDict(use_attribute_docstrings=True)

        depth: int
        """Nested."""


class Ours(Documented):
    name: str
    """The name.

        Indented on."""
    size: int = Field(default=0, description="given")
    """Not this one: the given description wins."""
    plain: int = 0
    _note: str = "a private attribute"
    """Not a field's."""

    class Inner(Documented):
        depth: int
        """Nested."""


class Child(Ours):
    extra: bool = False
    """Only the child's."""


def described(model: type[BaseModel]) -> dict[str, str | None]:
    return {name: field.description for name, field in model.model_fields.items()}


def test_descriptions_are_pydantics() -> None:
    assert described(Ours) == described(Reference) == {
        "name": "The name.\n\nIndented on.", "size": "given", "plain": None}
    assert described(Ours.Inner) == described(Reference.Inner) == {"depth": "Nested."}
    assert Ours.model_json_schema() == {**Reference.model_json_schema(), "title": "Ours"}


def test_a_subclass_keeps_its_parents_and_adds_its_own() -> None:
    assert described(Child) == {**described(Ours), "extra": "Only the child's."}


def test_the_model_of_services_yaml_is_described() -> None:
    assert Service.model_fields["stack"].description.startswith("Toolchain: python, node")
