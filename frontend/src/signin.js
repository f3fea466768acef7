// Sign-in: check a token against the node, then keep it for this tab only (sessionStorage).
import { api, setToken, t } from "./common.js";

const form = document.getElementById("signin-form");
const status = document.getElementById("signin-status");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = form.token.value.trim();
  status.textContent = t("loading");
  try {
    const who = await api("/ui/api/whoami", { token });
    if (who.anonymous) throw new Error("anonymous");
    setToken(token, who);
    form.reset();
    status.textContent = t("signin_ok", { name: who.name });
    document.getElementById("whoami").textContent = t("signed_in_as", { name: who.name });
    document.getElementById("signin-link").hidden = true;
    document.getElementById("signout").hidden = false;
  } catch (error) {
    status.textContent = t("signin_failed", { reason: error.message });
  }
});
