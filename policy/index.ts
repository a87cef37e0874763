/**
 * The arrakis policy pack (CrossGuard): guard rails over the typed Render resources, run on every
 * preview with `pulumi preview --policy-pack policy [--policy-pack-config policy/config/prod.json]`.
 * The rules and their config are described in README.md ("Policy pack").
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("arrakis", {
  description:
    "Guard rails for the arrakis Render stack: access, deploys, secrets, plans, protection, health, cost.",
  policies,
});
