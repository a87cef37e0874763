/**
 * The policies of the arrakis policy pack: the rules of rules.ts over the typed Render resources.
 *
 * Whether a stack is a production stack, and its budget, come from the policy config
 * (`pulumi preview --policy-pack policy --policy-pack-config <file>`): the analyzer sees resources and
 * their options, not stack config. Each policy's `enforcementLevel` can be changed there too.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  autoDeployViolations,
  budgetViolations,
  defaultExpiringPlans,
  deleteProtectionViolations,
  diskProtectionViolations,
  diskType,
  envGroupType,
  workflowType,
  expiringPlanViolations,
  healthCheckViolations,
  isServiceType,
  keyValueFreePlanViolations,
  keyValueProtectionViolations,
  keyValuePublicAccessViolations,
  keyValueType,
  plainSecretEnvVarViolations,
  postgresType,
  pricedTypes,
  publicAllowListViolations,
  serviceKinds,
  webServiceType,
  type AnyServiceProps,
  type DiskProps,
  type EnvGroupProps,
  type KeyValueProps,
  type PostgresProps,
  type PricedResource,
  type WebServiceProps,
} from "./rules";

/** Config of the policies that apply to production stacks only. */
interface ProductionConfig {
  /** The stack is a production stack. Default false. */
  production?: boolean;
}

const productionSchema: PolicyConfigSchema = {
  properties: {
    production: {
      type: "boolean",
      default: false,
      description: "The stack is a production stack (the policy applies only then).",
    },
  },
};

function report(messages: string[], reportViolation: (message: string) => void): void {
  for (const message of messages) reportViolation(message);
}

/** A production database's IP allow list contains 0.0.0.0/0. Advisory: the seed keeps it open today. */
export const postgresPublicAccess: ResourceValidationPolicy = {
  name: "postgres-no-public-access",
  description: "A production database must not accept connections from every address (0.0.0.0/0).",
  enforcementLevel: "advisory",
  configSchema: productionSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== postgresType || !args.getConfig<ProductionConfig>().production) return;
    report(publicAllowListViolations(args.props as PostgresProps), reportViolation);
  },
};

/** A production Key Value's IP allow list contains 0.0.0.0/0. Advisory, as for the database. */
export const keyValuePublicAccess: ResourceValidationPolicy = {
  name: "key-value-no-public-access",
  description: "A production Key Value must not accept connections from every address (0.0.0.0/0).",
  enforcementLevel: "advisory",
  configSchema: productionSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== keyValueType || !args.getConfig<ProductionConfig>().production) return;
    report(keyValuePublicAccessViolations(args.props as KeyValueProps), reportViolation);
  },
};

/** Auto-deploy on in a production stack, for every service kind. */
export const serviceAutoDeploy: ResourceValidationPolicy = {
  name: "service-no-auto-deploy-in-production",
  description:
    "A production service (web, worker, private, cron, static site, workflow) must not deploy every push (autoDeploy).",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateResource: (args, reportViolation) => {
    if (!args.getConfig<ProductionConfig>().production) return;
    if (args.type === workflowType) {
      // A workflow says it as render.yaml's newer autoDeployTrigger: `commit` or `checksPass` deploy pushes.
      const { name, autoDeployTrigger } = args.props as { name?: string; autoDeployTrigger?: string };
      if (autoDeployTrigger === "commit" || autoDeployTrigger === "checksPass")
        report(autoDeployViolations({ name, autoDeploy: true }, "workflow"), reportViolation);
      return;
    }
    if (!isServiceType(args.type)) return;
    report(autoDeployViolations(args.props as AnyServiceProps, serviceKinds[args.type]), reportViolation);
  },
};

/** An env var whose key looks like a secret, with a plain value. */
export const servicePlainSecrets: ResourceValidationPolicy = {
  name: "service-no-plain-secrets",
  description:
    "An env var (of a service or env group) whose key looks like a secret must be a secret or generated value, not plain.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedKeys: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Keys that look like secrets but are not (e.g. a publishable key).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const kind = isServiceType(args.type)
      ? serviceKinds[args.type]
      : args.type === envGroupType
        ? "env group"
        : args.type === workflowType
          ? "workflow"
          : "";
    if (!kind) return;
    const { allowedKeys = [] } = args.getConfig<{ allowedKeys?: string[] }>();
    report(
      plainSecretEnvVarViolations(args.props as AnyServiceProps | EnvGroupProps, allowedKeys, kind),
      reportViolation,
    );
  },
};

/** A production database on a free (expiring) plan. */
export const postgresExpiringPlan: ResourceValidationPolicy = {
  name: "postgres-no-expiring-plan-in-production",
  description: "A production database must not be on a free or expiring plan.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ...productionSchema.properties,
      expiringPlans: {
        type: "array",
        items: { type: "string" },
        default: defaultExpiringPlans,
        description: "Plans treated as expiring (API spelling).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== postgresType) return;
    const config = args.getConfig<ProductionConfig & { expiringPlans?: string[] }>();
    if (!config.production) return;
    report(
      expiringPlanViolations(args.props as PostgresProps, config.expiringPlans ?? defaultExpiringPlans),
      reportViolation,
    );
  },
};

/** A database without the `protect` resource option. */
export const postgresProtection: ResourceValidationPolicy = {
  name: "postgres-delete-protection",
  description: "A database must be protected from deletion (the protect resource option).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== postgresType) return;
    report(deleteProtectionViolations(args.props as PostgresProps, args.opts.protect), reportViolation);
  },
};

/** A production Key Value on the free plan, which keeps nothing across a restart. Advisory: a cache may. */
export const keyValueFreePlan: ResourceValidationPolicy = {
  name: "key-value-no-free-plan-in-production",
  description: "A production Key Value should not be on the free plan (no persistence).",
  enforcementLevel: "advisory",
  configSchema: productionSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== keyValueType || !args.getConfig<ProductionConfig>().production) return;
    report(keyValueFreePlanViolations(args.props as KeyValueProps), reportViolation);
  },
};

/** A Key Value that persists its data, without the `protect` resource option. Advisory: often a cache. */
export const keyValueProtection: ResourceValidationPolicy = {
  name: "key-value-delete-protection",
  description:
    "A Key Value that persists its data should be protected from deletion (the protect resource option).",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== keyValueType) return;
    report(keyValueProtectionViolations(args.props as KeyValueProps, args.opts.protect), reportViolation);
  },
};

/** A persistent disk without the `protect` resource option. */
export const diskProtection: ResourceValidationPolicy = {
  name: "disk-delete-protection",
  description: "A persistent disk must be protected from deletion (the protect resource option).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== diskType) return;
    report(diskProtectionViolations(args.props as DiskProps, args.opts.protect), reportViolation);
  },
};

/** A web service without a health check path. */
export const serviceHealthCheck: ResourceValidationPolicy = {
  name: "service-health-check",
  description: "A web service should have a health check path.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== webServiceType) return;
    report(healthCheckViolations(args.props as WebServiceProps), reportViolation);
  },
};

/** The stack's monthly cost over its budget. */
export const stackBudget: StackValidationPolicy = {
  name: "stack-monthly-budget",
  description: "The stack's monthly cost must stay within its budget.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      monthlyBudgetUsd: {
        type: "number",
        minimum: 0,
        description: "Monthly budget in US dollars; unset: no budget to check.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { monthlyBudgetUsd } = args.getConfig<{ monthlyBudgetUsd?: number }>();
    const priced = args.resources
      .filter((r) => pricedTypes.includes(r.type))
      .map((r) => ({ type: r.type, props: r.props }) as PricedResource);
    report(budgetViolations(priced, monthlyBudgetUsd), reportViolation);
  },
};

/** Every policy of the pack, in the order they are listed. */
export const policies = [
  postgresPublicAccess,
  serviceAutoDeploy,
  servicePlainSecrets,
  postgresExpiringPlan,
  postgresProtection,
  serviceHealthCheck,
  stackBudget,
  keyValuePublicAccess,
  keyValueFreePlan,
  keyValueProtection,
  diskProtection,
];
