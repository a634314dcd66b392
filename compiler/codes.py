"""The table of diagnostic codes: Flyte's compiler error names plus fcomp's own.

Every code has a one-line description and a hint for the common fix; ``fcomp explain CODE``
prints them, and a test checks that every code here has a failing case.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Code:
    """A stable diagnostic code with its documentation."""

    name: str
    description: str
    hint: str = ""
    origin: str = "flyte"

    def __str__(self) -> str:
        return self.name


CODES: dict[str, Code] = {}


def _code(name: str, description: str, hint: str = "", origin: str = "flyte") -> str:
    assert name not in CODES, f"duplicate diagnostic code {name}"
    CODES[name] = Code(name, description, hint, origin)
    return name


# --- Flyte's compiler errors (flytepropeller/pkg/compiler/errors) ---------------------------
CYCLE_DETECTED = _code(
    "CycleDetected",
    "The workflow's graph has a cycle.",
    "Remove one of the dependencies on the cycle (upstream_node_ids or a promise).",
)
UNREACHABLE_NODES = _code(
    "UnreachableNodes",
    "Some nodes can never run because no path leads to them from the workflow's start.",
    "Check the nodes' upstream ids; every node must depend, directly or not, on the start.",
)
NO_NODES_FOUND = _code("NoNodesFound", "The workflow has no nodes.", "Add at least one node.")
BRANCH_NODE_ID_NOT_FOUND = _code(
    "BranchNodeIdNotFound",
    "A branch case has no node to run.",
    "Give every if/elif case a then-node.",
)
BRANCH_NODE_HAS_NO_CONDITION = _code(
    "BranchNodeHasNoCondition",
    "A branch node has no case or a case without a condition.",
    "Give the branch an if case, and every case a condition.",
)
BRANCH_NODE_HAS_NO_DEFAULT = _code(
    "BranchNodeHasNoDefault",
    "A branch node has neither an else node nor an error.",
    "Add `.else_()` with a node or `.fail(...)` to the conditional.",
)
VALUE_REQUIRED = _code(
    "ValueRequired",
    "A required field is missing.",
    "Fill in the field named in the message.",
)
INVALID_VALUE = _code(
    "InvalidValue",
    "A field holds a value that is not valid there (bad pod spec, bad container name, ...).",
)
UNRECOGNIZED_VALUE = _code(
    "UnrecognizedValue",
    "A value cannot be understood (resource quantity, literal whose type cannot be inferred).",
)
NODE_REFERENCE_NOT_FOUND = _code(
    "NodeReferenceNotFound",
    "A promise or upstream id names a node that does not exist in the workflow.",
)
TASK_REFERENCE_NOT_FOUND = _code(
    "TaskReferenceNotFound",
    "A node references a task that is not in the input.",
    "Package the task with the workflow, or pass the file that holds it.",
)
WORKFLOW_REFERENCE_NOT_FOUND = _code(
    "WorkflowReferenceNotFound",
    "A node references a subworkflow or launch plan that is not in the input.",
    "Package the referenced workflow or launch plan with this one.",
)
VARIABLE_NAME_NOT_FOUND = _code(
    "VariableNameNotFound",
    "A binding, promise or condition names a variable the interface does not have.",
)
DUPLICATE_ID = _code(
    "DuplicateId",
    "Two nodes (or two subworkflows) share one id.",
    "Give every node a unique id.",
)
DUPLICATE_ALIAS = _code("DuplicateAlias", "An output alias is used twice.")
MISMATCHING_TYPES = _code(
    "MismatchingTypes",
    "A value or promise cannot be cast to the type it is bound to.",
)
MISMATCHING_BINDINGS = _code(
    "MismatchingBindings",
    "A collection binding feeds a non-collection type, or a map binding a non-map type.",
)
MISMATCHING_INTERFACES = _code("MismatchingInterfaces", "Two interfaces that must match do not.")
INCONSISTENT_TYPES = _code("InconsistentTypes", "Types that must be consistent are not.")
PARAMETER_BOUND_MORE_THAN_ONCE = _code(
    "ParameterBoundMoreThanOnce", "An input is bound more than once."
)
PARAMETER_NOT_BOUND = _code(
    "ParameterNotBound",
    "A required input or a workflow output is not bound.",
    "Bind the input; only inputs whose type is a union containing None may stay unbound.",
)
NO_ENTRY_NODE_FOUND = _code("NoEntryNodeFound", "The workflow has no node to start from.")
WORKFLOW_BUILD_ERROR = _code("WorkflowBuildError", "The workflow could not be built.")
VALUE_COLLISION = _code("ValueCollision", "A value that must be unique is not.")
SYNTAX_ERROR = _code(
    "SyntaxError",
    "A value is not in the expected syntax (promise variable, timeout, ...).",
)
ILLEGAL_ENUM_VALUE = _code(
    "IllegalEnumValue", "A string bound to an enum input is not one of the enum's values."
)
AMBIGUOUS_BINDING_UNION_VALUE = _code(
    "AmbiguousBindingUnionValue",
    "A collection or map literal bound to a union matches more than one variant.",
)
INCOMPATIBLE_BINDING_UNION_VALUE = _code(
    "IncompatibleBindingUnionValue",
    "A collection or map literal bound to a union matches no variant.",
)
NO_CONDITION_FOUND = _code("NoConditionFound", "A gate node has none of approve, signal or sleep.")
FIELD_NOT_FOUND = _code(
    "FieldNotFound", "A promise's attribute path names a field the dataclass does not have."
)
IDL_TYPE_NOT_FOUND = _code("IDLTypeNotFound", "A binding's literal has no type Flyte's IDL knows.")

# --- fcomp's own ------------------------------------------------------------------------
LOAD_ERROR = _code(
    "LoadError",
    "An input file cannot be read or decoded as any Flyte entity.",
    "Pass files written by `pyflyte package`, `flytectl get ... -o json` or protobuf JSON/YAML.",
    origin="fcomp",
)
UNSAFE_ARCHIVE = _code(
    "UnsafeArchive",
    "An archive member is unsafe (absolute path, '..', link, device) or too large.",
    "Repackage the archive with `pyflyte package`.",
    origin="fcomp",
)
DUPLICATE_ENTITY = _code(
    "DuplicateEntity",
    "Two different entities of one kind share an identifier.",
    origin="fcomp",
)
UNSUPPORTED_CONSTRUCT = _code(
    "UnsupportedConstruct",
    "The input uses a construct the chosen target cannot run.",
    origin="fcomp",
)
UNKNOWN_TASK_TYPE = _code(
    "UnknownTaskType",
    "No plugin lowers this task type.",
    "Install a plugin package that registers the type, or use a supported type.",
    origin="fcomp",
)
NAME_COLLISION = _code(
    "NameCollision",
    "Two Flyte ids map to the same target name.",
    origin="fcomp",
)
SIZE_LIMIT = _code(
    "SizeLimit",
    "An emitted object or value is over the target's size limit.",
    origin="fcomp",
)
UNKNOWN_ENTITY = _code(
    "UnknownEntity",
    "A workflow or launch plan named on the command line is not in the input.",
    origin="fcomp",
)
IGNORED_FIELD = _code(
    "IgnoredField",
    "An input field that changes execution on Flyte has no effect on the target.",
    origin="fcomp",
)
CONFIG_ERROR = _code(
    "ConfigError",
    "The configuration file or a command-line setting is not valid.",
    origin="fcomp",
)
LIMIT_EXCEEDED = _code(
    "LimitExceeded",
    "The input is larger or deeper than fcomp's safety limits.",
    origin="fcomp",
)
INTERNAL_ERROR = _code(
    "InternalError",
    "fcomp failed on this input; this is a bug in fcomp, not in the input.",
    "Report it with the input and the command line.",
    origin="fcomp",
)
