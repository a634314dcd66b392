"""Message templates, one constant per situation, each next to the code it reports.

Wording follows Flyte's compiler messages where Flyte has one, so that users who know Flyte's
errors recognise them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fcomp.compiler import codes


@dataclass(frozen=True, slots=True)
class Message:
    """A diagnostic code with its message template (``str.format`` fields)."""

    code: str
    template: str

    def format(self, **fields: object) -> str:
        """The message with its fields filled in."""
        return self.template.format(**fields)


CYCLE = Message(codes.CYCLE_DETECTED, "a cycle was detected in the workflow: {cycle}")
SUBWORKFLOW_CYCLE = Message(
    codes.CYCLE_DETECTED, "workflow '{workflow}' includes itself through subworkflows: {cycle}"
)
UNREACHABLE = Message(codes.UNREACHABLE_NODES, "the workflow contains unreachable nodes [{nodes}]")
NO_NODES = Message(codes.NO_NODES_FOUND, "can't find any nodes in workflow [{workflow}]")
BRANCH_NOT_ASSIGNED = Message(codes.BRANCH_NODE_ID_NOT_FOUND, "a branch case has no then-node")
BRANCH_NO_CONDITION = Message(
    codes.BRANCH_NODE_HAS_NO_CONDITION, "one of the branches on the node doesn't have a condition"
)
BRANCH_NO_DEFAULT = Message(
    codes.BRANCH_NODE_HAS_NO_DEFAULT,
    "branch node must have either the else case set or a default error",
)
VALUE_REQUIRED = Message(codes.VALUE_REQUIRED, "value required [{what}]")
INVALID_VALUE = Message(codes.INVALID_VALUE, "invalid value [{what}]: {why}")
KUBERNETES_REFUSES = Message(
    codes.INVALID_VALUE, "invalid value [{what} '{value}']: {why} (Kubernetes refuses it)"
)
NOT_A_POD_SPEC = Message(
    codes.INVALID_VALUE,
    "invalid value [{what}]: not a Kubernetes PodSpec (wrong type at {paths})",
)
UNKNOWN_POD_KEYS = Message(
    codes.IGNORED_FIELD,
    "pod spec keys that are no Kubernetes PodSpec field: {keys} (Flyte's decoder drops them, "
    "and so does every target)",
)
IGNORED_POD_TEMPLATE = Message(
    codes.IGNORED_FIELD,
    "the node's pod template override is ignored, as Flyte ignores it: {why}",
)
NO_CONTAINERS = Message(
    codes.IGNORED_FIELD,
    "the node's pod template override has no containers, so Flyte keeps the task's pod and "
    "applies only the override's labels and annotations: {fields} ignored",
)
DROPPED_CONTAINERS = Message(
    codes.IGNORED_FIELD,
    "containers of the {kind} pod overlay that the task's pod has no container of the same "
    "name for: {names} (Flyte merges overlay containers into the pod's by name and drops the "
    "others, and so does every target)",
)
UNCARRIED_FIELDS = Message(
    codes.IGNORED_FIELD,
    "pod fields a {kind} task's pods do not carry: {fields} (Flyte's {kind} plugin copies "
    "only {carried}; so does every target)",
)
UNRECOGNIZED = Message(codes.UNRECOGNIZED_VALUE, "unrecognized value [{value}] for {what}")
NODE_NOT_FOUND = Message(codes.NODE_REFERENCE_NOT_FOUND, "referenced node [{ref}] not found")
TASK_NOT_FOUND = Message(codes.TASK_REFERENCE_NOT_FOUND, "referenced task [{ref}] not found")
WORKFLOW_NOT_FOUND = Message(
    codes.WORKFLOW_REFERENCE_NOT_FOUND, "referenced {what} [{ref}] not found"
)
VARIABLE_NOT_FOUND = Message(
    codes.VARIABLE_NAME_NOT_FOUND, "variable [{var}] not found on node [{node}]"
)
DUPLICATE_NODE = Message(codes.DUPLICATE_ID, "two nodes share the id [{id}]")
DUPLICATE_ALIAS = Message(
    codes.DUPLICATE_ALIAS,
    "duplicate alias [{alias}]: an output alias can only be used once in the workflow",
)
MISMATCHING_TYPES = Message(
    codes.MISMATCHING_TYPES, "variable [{var}] (type [{got}]) doesn't match expected type [{want}]"
)
MISMATCHING_BRANCH_OUTPUT = Message(
    codes.MISMATCHING_TYPES,
    "branch output [{var}] has type [{got}] in case [{case}] but [{want}] in an earlier case",
)
MISMATCHING_OPERANDS = Message(
    codes.MISMATCHING_TYPES,
    "comparison operands have different types: [{left}] and [{right}]",
)
MISMATCHING_BINDINGS = Message(
    codes.MISMATCHING_BINDINGS, "input [{var}] expects bindings of type [{want}], received a {got}"
)
BOUND_TWICE = Message(codes.PARAMETER_BOUND_MORE_THAN_ONCE, "input [{var}] is bound more than once")
NOT_BOUND = Message(codes.PARAMETER_NOT_BOUND, "parameter not bound [{var}]")
SYNTAX = Message(codes.SYNTAX_ERROR, "failed to parse element [{element}]: {why}")
ILLEGAL_ENUM = Message(
    codes.ILLEGAL_ENUM_VALUE,
    "input [{var}] is an enum and expects one of [{values}], received [{value}]",
)
AMBIGUOUS_UNION = Message(
    codes.AMBIGUOUS_BINDING_UNION_VALUE,
    "input [{var}] expects union type [{want}]; the binding is ambiguous as both variants "
    "[{first}] and [{second}] match",
)
INCOMPATIBLE_UNION = Message(
    codes.INCOMPATIBLE_BINDING_UNION_VALUE,
    "input [{var}] expects union type [{want}]; the binding matches none of the variants",
)
NO_GATE_CONDITION = Message(
    codes.NO_CONDITION_FOUND, "gate node has none of approve, signal, sleep"
)
FIELD_NOT_FOUND = Message(
    codes.FIELD_NOT_FOUND, "variable [{var}] (type [{type}]) doesn't have field [{field}]"
)
DUPLICATE_SUBWORKFLOW = Message(codes.DUPLICATE_ID, "two subworkflows share the id [{id}]")
