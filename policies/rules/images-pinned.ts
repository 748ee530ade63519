/** Images pinned to a version tag other than `latest`, or a digest (mandatory outside dev). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containerLabel, containersOf, describe, podSpecOf } from "../lib/objects";

/** Whether an image reference names a version: a digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) {
    return true;
  }
  // The tag follows the last ':' after the last '/' (a registry's ':port' comes before a '/').
  const last = image.slice(image.lastIndexOf("/") + 1);
  const colon = last.lastIndexOf(":");
  return colon >= 0 && last.slice(colon + 1) !== "latest" && last.slice(colon + 1) !== "";
}

export const imagesPinned: ResourceValidationPolicy = {
  name: "images-pinned",
  description: "Every image is pinned to a version tag other than 'latest', or to a digest.",
  severity: "high",
  validateResource: (args, reportViolation) => {
    for (const ref of containersOf(podSpecOf(args.type, args.props))) {
      const image = ref.container.image ?? "";
      if (!isPinnedImage(image)) {
        reportViolation(
          `${describe(args.type, args.props)} ${containerLabel(ref)} runs '${image}', which is not pinned. Use a version tag other than 'latest', or a digest.`,
        );
      }
    }
  },
};
