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
  expiringPlanViolations,
  healthCheckViolations,
  plainSecretEnvVarViolations,
  postgresType,
  publicAllowListViolations,
  webServiceType,
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

/** Auto-deploy on in a production stack. */
export const serviceAutoDeploy: ResourceValidationPolicy = {
  name: "service-no-auto-deploy-in-production",
  description: "A production web service must not deploy every push (autoDeploy).",
  enforcementLevel: "mandatory",
  configSchema: productionSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== webServiceType || !args.getConfig<ProductionConfig>().production) return;
    report(autoDeployViolations(args.props as WebServiceProps), reportViolation);
  },
};

/** An env var whose key looks like a secret, with a plain value. */
export const servicePlainSecrets: ResourceValidationPolicy = {
  name: "service-no-plain-secrets",
  description: "An env var whose key looks like a secret must be a secret or generated value, not plain.",
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
    if (args.type !== webServiceType) return;
    const { allowedKeys = [] } = args.getConfig<{ allowedKeys?: string[] }>();
    report(plainSecretEnvVarViolations(args.props as WebServiceProps, allowedKeys), reportViolation);
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
      .filter((r) => r.type === postgresType || r.type === webServiceType)
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
];
