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
    "Correct the field the message names; check pod specs with `kubectl apply --dry-run=client`.",
)
UNRECOGNIZED_VALUE = _code(
    "UnrecognizedValue",
    "A value cannot be understood (resource quantity, literal whose type cannot be inferred).",
    "Use Kubernetes quantities (`500m`, `2Gi`) and values of a Flyte type.",
)
NODE_REFERENCE_NOT_FOUND = _code(
    "NodeReferenceNotFound",
    "A promise or upstream id names a node that does not exist in the workflow.",
    "Re-package the workflow; a hand-edited spec must name only node ids of the same workflow.",
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
    "Check the name against the task's or workflow's inputs and outputs (`fcomp inspect`).",
)
DUPLICATE_ID = _code(
    "DuplicateId",
    "Two nodes (or two subworkflows) share one id.",
    "Give every node a unique id.",
)
DUPLICATE_ALIAS = _code(
    "DuplicateAlias",
    "An output alias is used twice.",
    "Give every output alias of the node a different name.",
)
MISMATCHING_TYPES = _code(
    "MismatchingTypes",
    "A value or promise cannot be cast to the type it is bound to.",
    "Convert the value in a task, or change the input's type to match the upstream output.",
)
MISMATCHING_BINDINGS = _code(
    "MismatchingBindings",
    "A collection binding feeds a non-collection type, or a map binding a non-map type.",
    "Bind a list to a list input and a dict to a dict input.",
)
MISMATCHING_INTERFACES = _code(
    "MismatchingInterfaces",
    "Two interfaces that must match do not.",
    "Make the referenced entity's inputs and outputs match the node, then re-package both.",
)
INCONSISTENT_TYPES = _code(
    "InconsistentTypes",
    "Types that must be consistent are not.",
    "Give every branch case (and every value merged) the same output types.",
)
PARAMETER_BOUND_MORE_THAN_ONCE = _code(
    "ParameterBoundMoreThanOnce", "An input is bound more than once.", "Bind each input once."
)
PARAMETER_NOT_BOUND = _code(
    "ParameterNotBound",
    "A required input or a workflow output is not bound.",
    "Bind the input; only inputs whose type is a union containing None may stay unbound.",
)
NO_ENTRY_NODE_FOUND = _code(
    "NoEntryNodeFound",
    "The workflow has no node to start from.",
    "Make at least one node depend only on workflow inputs or on nothing.",
)
WORKFLOW_BUILD_ERROR = _code(
    "WorkflowBuildError",
    "The workflow could not be built.",
    "Fix the other errors reported for this workflow first.",
)
VALUE_COLLISION = _code(
    "ValueCollision",
    "A value that must be unique is not.",
    "Rename one of the two so that each is unique.",
)
SYNTAX_ERROR = _code(
    "SyntaxError",
    "A value is not in the expected syntax (promise variable, timeout, ...).",
    "Write the value as Flyte expects it (promise `node.var`, duration like `3600s`).",
)
ILLEGAL_ENUM_VALUE = _code(
    "IllegalEnumValue",
    "A string bound to an enum input is not one of the enum's values.",
    "Use one of the enum's values listed in the message.",
)
AMBIGUOUS_BINDING_UNION_VALUE = _code(
    "AmbiguousBindingUnionValue",
    "A collection or map literal bound to a union matches more than one variant.",
    "Give the union variants distinct types, or bind a value whose type picks one.",
)
INCOMPATIBLE_BINDING_UNION_VALUE = _code(
    "IncompatibleBindingUnionValue",
    "A collection or map literal bound to a union matches no variant.",
    "Bind a value of one of the union's types.",
)
NO_CONDITION_FOUND = _code(
    "NoConditionFound",
    "A gate node has none of approve, signal or sleep.",
    "Create the gate with `approve(...)`, `wait_for_input(...)` or `sleep(...)`.",
)
FIELD_NOT_FOUND = _code(
    "FieldNotFound",
    "A promise's attribute path names a field the dataclass does not have.",
    "Use a field the dataclass has (check the attribute after the promise).",
)
IDL_TYPE_NOT_FOUND = _code(
    "IDLTypeNotFound",
    "A binding's literal has no type Flyte's IDL knows.",
    "Re-package with a flytekit that writes typed literals (flytekit >= 1.16).",
)

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
    "Pass each entity once, or give the two different names or versions.",
    origin="fcomp",
)
UNSUPPORTED_CONSTRUCT = _code(
    "UnsupportedConstruct",
    "The input uses a construct the chosen target cannot run.",
    "See the supported-constructs table in the README; change target or construct.",
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
    "Rename one of the two Flyte entities or nodes so that their target names differ.",
    origin="fcomp",
)
SIZE_LIMIT = _code(
    "SizeLimit",
    "An emitted object or value is over the target's size limit.",
    "Pass large values as files or offloaded literals instead of inline values.",
    origin="fcomp",
)
UNKNOWN_ENTITY = _code(
    "UnknownEntity",
    "A workflow or launch plan named on the command line is not in the input.",
    "Run `fcomp inspect INPUT` to list the names in the input.",
    origin="fcomp",
)
IGNORED_FIELD = _code(
    "IgnoredField",
    "An input field that changes execution on Flyte has no effect on the target.",
    "Remove the field, or accept that the target runs without it.",
    origin="fcomp",
)
SELF_STARTING_PLAN = _code(
    "SelfStartingLaunchPlan",
    "A launch plan's workflow starts the same launch plan again (directly, or through "
    "subworkflows and other plans): every execution starts another until a branch stops it.",
    "Make sure a branch ends the recursion; otherwise each level starts a child workflow "
    "without end.",
    origin="fcomp",
)
CONFIG_ERROR = _code(
    "ConfigError",
    "The configuration file or a command-line setting is not valid.",
    "See the configuration reference in the README; `--set KEY=VALUE` overrides one setting.",
    origin="fcomp",
)
LIMIT_EXCEEDED = _code(
    "LimitExceeded",
    "The input is larger or deeper than fcomp's safety limits.",
    "Split the workflow or the input; the limits guard against malformed or hostile input.",
    origin="fcomp",
)
INTERNAL_ERROR = _code(
    "InternalError",
    "fcomp failed on this input; this is a bug in fcomp, not in the input.",
    "Report it with the input and the command line.",
    origin="fcomp",
)
