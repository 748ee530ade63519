/**
 * The aios-infra CrossGuard policy pack. Every rule is mandatory unless a `--policy-pack-config`
 * file lowers it (config/<environment>.json: dev makes image pinning advisory).
 *
 *   npm run preview -- --policy-pack policies --policy-pack-config policies/config/production.json
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, POLICIES } from "./policies";

new PolicyPack(PACK_NAME, { policies: POLICIES, enforcementLevel: "mandatory" });
