import { AuthPage } from "./pages/auth-page";
import { expect, freshCredentials, test } from "./fixtures";

/**
 * Organizations end to end: an owner invites a viewer, the link waits in the outbox, the invitee
 * opens it in another browser, creates an account from there, accepts, lands in the owner's
 * organization read-only, and switches between organizations in the header.
 */
test("invite → outbox link → accept in a second browser → switch organization", async ({ page, browser, signedInUser: owner }) => {
  const ownerOrg = `${owner.name}'s organization`;
  const invitee = freshCredentials("invitee");
  const inviteeOrg = `${invitee.name}'s organization`;

  // The owner invites a viewer.
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/members$/);
  const inviteForm = page.getByRole("form", { name: "Invite member" });
  await inviteForm.getByLabel("Email").fill(invitee.email);
  await inviteForm.getByLabel("Role", { exact: true }).selectOption("viewer");
  await inviteForm.getByRole("button", { name: "Send invitation" }).click();
  await expect(inviteForm.getByRole("status")).toContainText(`Invitation sent to ${invitee.email}`);
  await expect(page.getByTestId("invitation-row").filter({ hasText: invitee.email })).toContainText("viewer");

  // The outbox holds the message and its link.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Outbox" }).click();
  const mail = page.getByTestId("outbox-row").filter({ hasText: invitee.email });
  await expect(mail).toHaveCount(1);
  const link = mail.getByRole("link");
  await expect(link).toHaveAttribute("href", /\/invitations\/[^/]+$/);
  const href = await link.getAttribute("href");
  expect(href).toBeTruthy();

  // The invitee opens it in their own browser, signs up from there and comes back to accept.
  const inviteeContext = await browser.newContext();
  try {
    const inviteePage = await inviteeContext.newPage();
    await inviteePage.goto(href ?? "");
    await expect(inviteePage.getByRole("heading", { name: "You are invited" })).toBeVisible();
    await inviteePage.getByRole("link", { name: "Create account" }).click();
    await expect(inviteePage).toHaveURL(/\/sign-up\?next=/);
    const signUp = await new AuthPage(inviteePage).fillSignUp(invitee);
    expect(signUp.status()).toBe(200);
    await expect(inviteePage).toHaveURL(/\/invitations\/[^/]+$/);
    await expect(inviteePage.getByRole("heading", { name: `Join ${ownerOrg}` })).toBeVisible();
    await expect(inviteePage.getByTestId("invitation-summary")).toContainText(`${owner.email} invited you`);
    await expect(inviteePage.getByTestId("invitation-summary")).toContainText("viewer");
    await inviteePage.getByRole("button", { name: "Accept invitation" }).click();

    // Now in the owner's organization, as a viewer: members read-only, audit log refused.
    await expect(inviteePage).toHaveURL(/\/tasks$/);
    const switcher = inviteePage.getByLabel("Organization", { exact: true });
    await expect(switcher.locator("option:checked")).toHaveText(`${ownerOrg} (viewer)`);
    await inviteePage.getByRole("link", { name: "Settings" }).click();
    await expect(inviteePage.getByTestId("member-row").filter({ hasText: owner.email })).toBeVisible();
    await expect(inviteePage.getByRole("form", { name: "Invite member" })).toHaveCount(0);
    await expect(inviteePage.getByRole("button", { name: "Remove" })).toHaveCount(0);
    await inviteePage.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
    await expect(inviteePage.getByText("Only owners and admins can read the audit log.")).toBeVisible();

    // Switching to their own organization in the header: they own it, and the owner is not in it.
    await inviteePage.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
    await switcher.selectOption({ label: `${inviteeOrg} (owner)` });
    await expect(switcher.locator("option:checked")).toHaveText(`${inviteeOrg} (owner)`);
    await expect(inviteePage.getByRole("form", { name: "Invite member" })).toBeVisible();
    await expect(inviteePage.getByTestId("member-row")).toHaveCount(1);
    await expect(inviteePage.getByTestId("member-row").filter({ hasText: owner.email })).toHaveCount(0);

    // …and back.
    await switcher.selectOption({ label: `${ownerOrg} (viewer)` });
    await expect(inviteePage.getByTestId("member-row").filter({ hasText: owner.email })).toBeVisible();
    await expect(inviteePage.getByRole("form", { name: "Invite member" })).toHaveCount(0);
  } finally {
    await inviteeContext.close();
  }

  // The owner sees the new member and the audit trail.
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Members" }).click();
  await expect(page.getByTestId("member-row").filter({ hasText: invitee.email })).toBeVisible();
  await expect(page.getByTestId("invitation-row")).toHaveCount(0);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: "Member joined" })).toContainText(invitee.email);
  await expect(page.getByTestId("audit-row").filter({ hasText: "Invited a member" })).toContainText(invitee.email);
});
