"""Signing in with the organisation's OpenID provider (Entra ID, Keycloak, ProConnect…): Authorization Code
flow with PKCE, `state` and `nonce`, the provider found by discovery; then the portal account that the
provider's identity opens, with the roles the provider grants.

Authlib's OAuth 2 client session sends the requests (PKCE S256, token exchange with the client secret);
joserfc, Authlib's JOSE library, checks the ID token's signature against the provider's published keys and its
claims (issuer, audience, expiry, nonce). Services only: the routes keep the pending sign-in in the session.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import requests
import sqlalchemy as sa
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from portal.accounts.models import Role, User
from portal.accounts.services import VALID_ROLES, normalise_email, set_roles
from portal.domain_error import DomainError
from portal.models import db
from portal.org.models import OrgUnit, Site

#: Discovery documents and key sets are read again after this long (providers rotate their keys).
METADATA_MAX_AGE_SECONDS = 3600
#: Signature algorithms accepted for ID tokens and signed userinfo (never "none", never HMAC with the secret).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
#: Clock difference tolerated between the provider and the portal.
LEEWAY_SECONDS = 60


class SignInRefused(DomainError):
    """A sign-in through the provider that opens no session; the words are `display.SIGN_IN_REFUSALS`."""

    domain = "accounts"
    table = "SIGN_IN_REFUSALS"


@dataclass(frozen=True)
class OidcSettings:
    """The provider and how its claims map to accounts (OIDC_* settings)."""

    issuer: str
    client_id: str
    client_secret: str
    provider_name: str = ""
    scopes: str = "openid email profile"
    email_claim: str = "email"
    require_verified_email: bool = True
    role_claim: str = "groups"
    role_map: Mapping[str, str] = field(default_factory=dict)
    create_accounts: bool = False
    org_unit_claim: str = ""
    site_claim: str = ""
    timeout_seconds: float = 10

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OidcSettings | None:
        """The settings, or None when no provider is configured (OIDC_ISSUER empty)."""
        issuer = str(config.get("OIDC_ISSUER") or "").strip().rstrip("/")
        if not issuer:
            return None
        return cls(
            issuer=issuer,
            client_id=str(config.get("OIDC_CLIENT_ID") or ""),
            client_secret=str(config.get("OIDC_CLIENT_SECRET") or ""),
            provider_name=str(config.get("OIDC_PROVIDER_NAME") or ""),
            scopes=str(config.get("OIDC_SCOPES") or "openid email profile"),
            email_claim=str(config.get("OIDC_EMAIL_CLAIM") or "email"),
            require_verified_email=bool(config.get("OIDC_REQUIRE_VERIFIED_EMAIL", True)),
            role_claim=str(config.get("OIDC_ROLE_CLAIM") or ""),
            role_map=parse_role_map(str(config.get("OIDC_ROLE_MAP") or "")),
            create_accounts=bool(config.get("OIDC_CREATE_ACCOUNTS", False)),
            org_unit_claim=str(config.get("OIDC_ORG_UNIT_CLAIM") or ""),
            site_claim=str(config.get("OIDC_SITE_CLAIM") or ""),
            timeout_seconds=float(config.get("OIDC_TIMEOUT_SECONDS") or 10),
        )

    @property
    def managed_roles(self) -> frozenset[str]:
        """The portal roles the provider decides (those of the mapping); the others stay as edited in the portal."""
        return frozenset(self.role_map.values())


def parse_role_map(text: str) -> dict[str, str]:
    """``"GG-Admins=admin, GG-Comms=comms"`` → {"GG-Admins": "admin", …}; ValueError naming a bad pair."""
    mapping = {}
    for pair in (part.strip() for part in text.replace(";", ",").split(",")):
        if not pair:
            continue
        group, separator, role = pair.rpartition("=")
        role = role.strip().lower()
        if not separator or not group.strip() or role not in VALID_ROLES - {Role.EMPLOYEE.value}:
            raise ValueError(f"OIDC_ROLE_MAP: {pair!r} is not 'provider group=manager|comms|admin'")
        mapping[group.strip()] = role
    return mapping


# ---------------------------------------------------------------------------------------------- the provider

_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_keys_cache: dict[str, tuple[float, KeySet]] = {}


def _get_json(url: str, settings: OidcSettings) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.timeout_seconds, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInRefused("provider_unreachable") from error
    if not isinstance(document, dict):
        raise SignInRefused("provider_unreachable")
    return document


def provider_metadata(settings: OidcSettings) -> dict[str, Any]:
    """The provider's discovery document (`/.well-known/openid-configuration`), read at most once an hour."""
    cached = _metadata_cache.get(settings.issuer)
    if cached and time.monotonic() - cached[0] < METADATA_MAX_AGE_SECONDS:
        return cached[1]
    metadata = _get_json(f"{settings.issuer}/.well-known/openid-configuration", settings)
    # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
    if metadata.get("issuer", "").rstrip("/") != settings.issuer:
        raise SignInRefused("provider_unreachable")
    _metadata_cache[settings.issuer] = (time.monotonic(), metadata)
    return metadata


def _provider_keys(settings: OidcSettings, metadata: Mapping[str, Any], *, refresh: bool = False) -> KeySet:
    cached = _keys_cache.get(metadata["jwks_uri"])
    if cached and not refresh and time.monotonic() - cached[0] < METADATA_MAX_AGE_SECONDS:
        return cached[1]
    try:
        # Any JSON object: import_key_set checks it is a JWK Set (its errors are caught below).
        keys = KeySet.import_key_set(_get_json(metadata["jwks_uri"], settings))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as error:
        raise SignInRefused("provider_unreachable") from error
    _keys_cache[metadata["jwks_uri"]] = (time.monotonic(), keys)
    return keys


def _verified_jwt(token: str, settings: OidcSettings, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of a JWT signed by the provider (keys read again once if its key is unknown: a rotation)."""
    for refresh in (False, True):
        try:
            return dict(jwt.decode(token, _provider_keys(settings, metadata, refresh=refresh), ALGORITHMS).claims)
        except (JoseError, ValueError) as error:
            if refresh:
                raise SignInRefused("invalid_token") from error
    raise SignInRefused("invalid_token")  # pragma: no cover - the loop returns or raises


# ---------------------------------------------------------------------------------------------- the flow


@dataclass(frozen=True)
class PendingSignIn:
    """What the portal keeps (in the session) between sending the browser to the provider and its return."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "nonce": self.nonce, "code_verifier": self.code_verifier,
                "redirect_uri": self.redirect_uri, "next": self.next}

    @classmethod
    def from_dict(cls, data: Any) -> PendingSignIn | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{name: str(data[name]) for name in ("state", "nonce", "code_verifier", "redirect_uri")},
                       next=str(data.get("next") or ""))
        except KeyError:
            return None


def _client(settings: OidcSettings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        settings.client_id,
        settings.client_secret,
        scope=settings.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def begin_sign_in(settings: OidcSettings, *, redirect_uri: str, next_path: str = "") -> tuple[str, PendingSignIn]:
    """The provider's authorisation URL to send the browser to, and what to keep until it comes back."""
    metadata = provider_metadata(settings)
    pending = PendingSignIn(
        state=generate_token(32), nonce=generate_token(32), code_verifier=generate_token(64),
        redirect_uri=redirect_uri, next=next_path,
    )
    with _client(settings, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=pending.state, nonce=pending.nonce,
            code_verifier=pending.code_verifier,
        )
    return url, pending


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in: the ID token's claims with the userinfo ones, and the raw ID token
    (kept for the provider's logout)."""

    issuer: str
    claims: Mapping[str, Any]
    id_token: str


def finish_sign_in(
    settings: OidcSettings, pending: PendingSignIn | None, answer: Mapping[str, str]
) -> ProviderIdentity:
    """Check the provider's answer (`state`, then the code exchanged with the PKCE verifier, then the ID token's
    signature, issuer, audience, expiry and `nonce`) and read who signed in; SignInRefused otherwise."""
    if pending is None or not hmac.compare_digest(answer.get("state", ""), pending.state):
        raise SignInRefused("state_mismatch")
    if answer.get("error"):
        raise SignInRefused("provider_error", error=answer["error"][:100])
    metadata = provider_metadata(settings)
    if answer.get("iss") and answer["iss"].rstrip("/") != settings.issuer:  # RFC 9207: mix-up protection
        raise SignInRefused("state_mismatch")
    try:
        with _client(settings, pending.redirect_uri) as client:
            token = client.fetch_token(
                metadata["token_endpoint"], code=answer.get("code", ""), code_verifier=pending.code_verifier,
                timeout=settings.timeout_seconds,
            )
    except OAuthError as error:
        raise SignInRefused("code_refused") from error
    except requests.RequestException as error:
        raise SignInRefused("provider_unreachable") from error
    id_token = token.get("id_token")
    if not id_token:
        raise SignInRefused("invalid_token")
    claims = _verified_jwt(id_token, settings, metadata)
    _check_id_token(claims, settings, metadata, nonce=pending.nonce)
    userinfo = _userinfo(token.get("access_token", ""), settings, metadata)
    # OpenID Connect Core §5.3.2: userinfo about anyone but the ID token's subject is not used.
    if userinfo and userinfo.get("sub") != claims["sub"]:
        raise SignInRefused("invalid_token")
    return ProviderIdentity(issuer=settings.issuer, claims={**userinfo, **claims}, id_token=id_token)


def _check_id_token(claims: Mapping[str, Any], settings: OidcSettings, metadata: Mapping[str, Any],
                    *, nonce: str) -> None:
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": settings.client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(dict(claims))
    except JoseError as error:
        raise SignInRefused("invalid_token") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.client_id:
        raise SignInRefused("invalid_token")
    # The nonce ties the ID token to this browser's request: an ID token obtained for another is refused.
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInRefused("nonce_mismatch")


def _userinfo(access_token: str, settings: OidcSettings, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The userinfo claims (JSON, or a JWT signed by the provider as ProConnect sends them); {} without endpoint."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    try:
        response = requests.get(endpoint, headers={"Authorization": f"Bearer {access_token}"},
                                timeout=settings.timeout_seconds)
        response.raise_for_status()
    except requests.RequestException as error:
        raise SignInRefused("provider_unreachable") from error
    if response.headers.get("Content-Type", "").startswith("application/jwt"):
        return _verified_jwt(response.text.strip(), settings, metadata)
    try:
        document = response.json()
    except ValueError as error:
        raise SignInRefused("invalid_token") from error
    return document if isinstance(document, dict) else {}


def logout_url(settings: OidcSettings, *, id_token: str | None, after_logout: str) -> str | None:
    """Where to send the browser so that the provider ends its session too (RP-initiated logout), or None if
    the provider offers no such endpoint."""
    try:
        endpoint = provider_metadata(settings).get("end_session_endpoint")
    except SignInRefused:
        return None
    if not endpoint:
        return None
    params = {"client_id": settings.client_id, "post_logout_redirect_uri": after_logout,
              "state": secrets.token_urlsafe(16)}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


# ---------------------------------------------------------------------------------------------- the account


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by name, or by dotted path into nested objects (``realm_access.roles``); None if absent."""
    value: Any = claims
    for part in path.split(".") if path else ():
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _claim_text(claims: Mapping[str, Any], path: str) -> str:
    value = claim(claims, path)
    return value.strip() if isinstance(value, str) else ""


def granted_roles(claims: Mapping[str, Any], settings: OidcSettings) -> set[str]:
    """The portal roles the provider's groups or roles give, by the mapping."""
    value = claim(claims, settings.role_claim)
    groups = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {settings.role_map[group] for group in groups if isinstance(group, str) and group in settings.role_map}


def account_for(identity: ProviderIdentity, settings: OidcSettings, *, now: datetime) -> User:
    """The portal account this identity opens, linked and with the provider's roles; SignInRefused otherwise.

    Known by its subject once linked; the first time, by the verified e-mail of an employee of the directory;
    an unknown e-mail is created only if OIDC_CREATE_ACCOUNTS is set. A deactivated account stays closed.
    """
    claims = identity.claims
    subject = str(claims["sub"])
    user = db.session.scalar(
        sa.select(User).where(User.oidc_issuer == identity.issuer, User.oidc_subject == subject)
    )
    if user is None:
        user = _link_by_email(identity, settings, now=now)
    if not user.active:
        raise SignInRefused("deactivated")
    roles = (user.roles - settings.managed_roles) | granted_roles(claims, settings)
    set_roles(user, roles)
    user.last_login_at = now
    db.session.flush()
    return user


def _link_by_email(identity: ProviderIdentity, settings: OidcSettings, *, now: datetime) -> User:
    claims = identity.claims
    email = normalise_email(_claim_text(claims, settings.email_claim))
    if not email or "@" not in email:
        raise SignInRefused("no_email")
    if settings.require_verified_email and claims.get("email_verified") not in (True, "true"):
        raise SignInRefused("email_not_verified", email=email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None and user.oidc_subject is not None:
        # The e-mail belongs to an account linked to another identity: never hand it over.
        raise SignInRefused("linked_elsewhere", email=email)
    if user is None:
        if not settings.create_accounts:
            raise SignInRefused("unknown_email", email=email)
        user = _new_account(email, claims, settings)
    user.oidc_issuer, user.oidc_subject = identity.issuer, str(claims["sub"])
    return user


def _new_account(email: str, claims: Mapping[str, Any], settings: OidcSettings) -> User:
    """An employee created at their first sign-in, with the org unit and site the claims name (if known)."""
    first = _claim_text(claims, "given_name")
    last = _claim_text(claims, "family_name") or _claim_text(claims, "usual_name")  # ProConnect: usual_name
    if not (first and last):
        first, _, last = _claim_text(claims, "name").partition(" ")
    user = User(email=email, first_name=(first or email.split("@")[0])[:80], last_name=(last or "–")[:80],
                active=True, role_rows=[])
    unit_code = _claim_text(claims, settings.org_unit_claim)
    site_code = _claim_text(claims, settings.site_claim)
    if unit_code:
        user.org_unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == unit_code))
    if site_code:
        user.site = db.session.scalar(sa.select(Site).where(Site.code == site_code))
    db.session.add(user)
    return user
