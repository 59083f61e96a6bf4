//! The sign-in flows: request a magic link, exchange it (or its code) for a session token, switch
//! org, sign out; and the check every authenticated request makes.

use crate::secrets::{
    Pepper, display_code, fresh_secrets, link_token, normalize_code, parse_link_token,
};
use crate::token::{Claims, IssuedToken, TokenError, TokenService};
use chrono::{DateTime, Duration, Utc};
use domain::org::{Member, Membership, OrgScope};
use domain::ports::{
    Clock, MailError, Mailer, MemberStore, OrgStore, OutgoingEmail, RateDecision, SessionRecord,
    SessionStore, SigninProof, SigninRecord, SigninStore, SpendError, StoreError,
};
use domain::{Email, OrgId, Role, ValidationErrors};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// A sign-in link and code work for this long.
pub const SIGNIN_TTL: Duration = Duration::minutes(10);
/// Sign-in requests allowed per address, and per client IP, in one window.
pub const PER_ADDRESS_LIMIT: u32 = 5;
pub const PER_IP_LIMIT: u32 = 30;
/// Exchange attempts allowed per client IP in one window (the code's own five tries still apply).
pub const EXCHANGE_PER_IP_LIMIT: u32 = 60;
pub const RATE_WINDOW: Duration = Duration::minutes(15);
/// How long a positive check of one token's allowlist entry is trusted in-process. Only a single
/// token's logout done on another instance waits for it: removal, a role change and
/// logout-everywhere act through the member record, which every request reads.
pub const ALLOWLIST_CACHE_SECS: u64 = 5;
const ALLOWLIST_CACHE_MAX: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid input")]
    Invalid(ValidationErrors),
    /// Any authentication failure: one answer for all.
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error("cannot issue a token: {0}")]
    Token(String),
    #[error("no randomness: {0}")]
    Random(String),
}

impl From<TokenError> for AuthError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Invalid => AuthError::Unauthorized,
            TokenError::Signing(m) => AuthError::Token(m),
        }
    }
}

impl From<AuthError> for web::Problem {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Invalid(errors) => web::Problem::validation(errors),
            AuthError::Unauthorized => web::Problem::unauthorized(),
            AuthError::Forbidden => web::Problem::forbidden(),
            AuthError::RateLimited { retry_after_secs } => {
                web::Problem::too_many_requests(retry_after_secs)
            }
            AuthError::Store(e) => e.into(),
            AuthError::Mail(MailError::Unavailable(detail)) => {
                tracing::warn!(%detail, "mail unavailable");
                web::Problem::unavailable()
            }
            AuthError::Mail(MailError::Rejected(detail)) => {
                web::Problem::internal().with_detail(detail)
            }
            AuthError::Token(detail) | AuthError::Random(detail) => {
                web::Problem::internal().with_detail(detail)
            }
        }
    }
}

/// A verified, allowlisted session: who, in which org, with which role.
#[derive(Debug, Clone)]
pub struct Session {
    pub email: Email,
    pub role: Role,
    pub scope: OrgScope,
    pub jti: String,
    pub expires_at: DateTime<Utc>,
}

impl Session {
    pub fn org(&self) -> &OrgId {
        self.scope.org()
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgRef {
    pub id: String,
    pub name: String,
    /// IANA zone of the org: every local time the app shows is in it.
    pub zone: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    pub org_id: String,
    pub org_name: String,
    pub role: Role,
}

impl From<&Membership> for MembershipView {
    fn from(m: &Membership) -> Self {
        Self {
            org_id: m.org_id.to_string(),
            org_name: m.org_name.clone(),
            role: m.role,
        }
    }
}

/// What a successful exchange or switch returns.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Grant {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub email: String,
    pub org: OrgRef,
    pub role: Role,
    pub memberships: Vec<MembershipView>,
}

/// How the person proves they hold the email.
#[derive(Debug, Clone)]
pub enum Proof {
    Link { token: String },
    Code { email: String, code: String },
}

/// Why a sign-in email is being sent.
#[derive(Debug, Clone, Copy)]
pub enum SigninReason<'a> {
    /// They asked for it.
    Requested,
    /// An admin added them to an org.
    Invited { org_name: &'a str },
}

/// The ports and keys the sign-in flows and the authentication check need.
pub struct Auth {
    pub tokens: TokenService,
    pub pepper: Pepper,
    /// The web app's origin, from configuration (never from a request's Host header).
    pub app_url: String,
    pub members: Arc<dyn MemberStore>,
    pub orgs: Arc<dyn OrgStore>,
    pub signins: Arc<dyn SigninStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
    cache: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("app_url", &self.app_url)
            .finish_non_exhaustive()
    }
}

pub struct AuthPorts {
    pub members: Arc<dyn MemberStore>,
    pub orgs: Arc<dyn OrgStore>,
    pub signins: Arc<dyn SigninStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub mailer: Arc<dyn Mailer>,
    pub clock: Arc<dyn Clock>,
}

impl AuthPorts {
    /// All store ports from one adapter.
    pub fn from_store<S: domain::ports::Store + 'static>(
        store: Arc<S>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            members: store.clone(),
            orgs: store.clone(),
            signins: store.clone(),
            sessions: store,
            mailer,
            clock,
        }
    }
}

impl Auth {
    pub fn new(
        tokens: TokenService,
        pepper: Pepper,
        app_url: impl Into<String>,
        ports: AuthPorts,
    ) -> Self {
        Self {
            tokens,
            pepper,
            app_url: app_url.into().trim_end_matches('/').to_string(),
            members: ports.members,
            orgs: ports.orgs,
            signins: ports.signins,
            sessions: ports.sessions,
            mailer: ports.mailer,
            clock: ports.clock,
            cache: Mutex::new(HashMap::new()),
        }
    }

    async fn limit(&self, kind: &str, value: &str, limit: u32) -> Result<(), AuthError> {
        let bucket = self.pepper.bucket(kind, value);
        match self
            .signins
            .hit_rate_limit(&bucket, limit, RATE_WINDOW, self.clock.now())
            .await?
        {
            RateDecision::Allowed => Ok(()),
            RateDecision::Limited { retry_after_secs } => {
                Err(AuthError::RateLimited { retry_after_secs })
            }
        }
    }

    /// `POST /auth/magic-link`. Known or unknown, a valid address gets the same answer after the
    /// same work: rate limits, a membership lookup, a stored sign-in record and one email (the
    /// unknown address's email says it has no account and carries no link).
    pub async fn request_link(&self, raw_email: &str, client_ip: &str) -> Result<(), AuthError> {
        let email = Email::parse(raw_email).map_err(|e| AuthError::Invalid(e.under("email")))?;
        self.limit("ip", client_ip, PER_IP_LIMIT).await?;
        self.limit("email", email.as_str(), PER_ADDRESS_LIMIT)
            .await?;
        let known = !self.members.memberships(&email).await?.is_empty();
        self.send_signin(&email, known, SigninReason::Requested)
            .await
    }

    /// Issues a fresh link and code for `email` (replacing older ones) and mails them. With
    /// `known == false` the record is still written (same cost) but the email carries no secret.
    pub async fn send_signin(
        &self,
        email: &Email,
        known: bool,
        reason: SigninReason<'_>,
    ) -> Result<(), AuthError> {
        let secrets = fresh_secrets().map_err(|e| AuthError::Random(e.to_string()))?;
        let now = self.clock.now();
        let locator = self.pepper.locator(email);
        let record = SigninRecord {
            key: locator.clone(),
            email: email.clone(),
            link_hash: self.pepper.secret_hash(email, &secrets.link_secret),
            code_hash: self.pepper.secret_hash(email, &secrets.code),
            issued_at: now,
            expires_at: now + SIGNIN_TTL,
        };
        self.signins.put_signin(&record).await?;
        let message = if known {
            let link = format!(
                "{}/signin#token={}",
                self.app_url,
                link_token(&locator, &secrets.link_secret)
            );
            signin_email(email, &link, &display_code(&secrets.code), reason)
        } else {
            no_account_email(email, &self.app_url)
        };
        self.mailer.send(&message).await?;
        Ok(())
    }

    /// `POST /auth/exchange`: spends a link or code once and opens a session in one of the
    /// person's orgs (`prefer` if they belong to it, else the first by id).
    pub async fn exchange(
        &self,
        proof: Proof,
        prefer: Option<&str>,
        client_ip: &str,
    ) -> Result<Grant, AuthError> {
        self.limit("exchange-ip", client_ip, EXCHANGE_PER_IP_LIMIT)
            .await?;
        let now = self.clock.now();
        let (key, email, proof) = match proof {
            Proof::Link { token } => {
                let (locator, secret) = parse_link_token(&token).ok_or(AuthError::Unauthorized)?;
                let email = self
                    .signins
                    .signin_email(locator)
                    .await?
                    .ok_or(AuthError::Unauthorized)?;
                let hash = self.pepper.secret_hash(&email, secret);
                (locator.to_string(), email, SigninProof::Link(hash))
            }
            Proof::Code { email, code } => {
                let email = Email::parse(&email).map_err(|_| AuthError::Unauthorized)?;
                let code = normalize_code(&code).ok_or(AuthError::Unauthorized)?;
                let hash = self.pepper.secret_hash(&email, &code);
                (self.pepper.locator(&email), email, SigninProof::Code(hash))
            }
        };
        let spent = match self.signins.spend_signin(&key, &proof, now).await {
            Ok(spent) => spent,
            Err(SpendError::Invalid | SpendError::Expired) => return Err(AuthError::Unauthorized),
            Err(SpendError::Store(e)) => return Err(e.into()),
        };
        if spent != email {
            return Err(AuthError::Unauthorized);
        }
        let mut memberships = self.members.memberships(&email).await?;
        memberships.sort_by(|a, b| a.org_id.cmp(&b.org_id));
        let chosen = prefer
            .and_then(|p| memberships.iter().find(|m| m.org_id.as_str() == p))
            .or_else(|| memberships.first())
            .cloned()
            .ok_or(AuthError::Unauthorized)?;
        self.grant(&email, &chosen, memberships).await
    }

    /// Issues a token for `membership`, puts it on the allowlist, and describes it.
    async fn grant(
        &self,
        email: &Email,
        membership: &Membership,
        memberships: Vec<Membership>,
    ) -> Result<Grant, AuthError> {
        let now = self.clock.now();
        let issued: IssuedToken =
            self.tokens
                .issue(email, &membership.org_id, membership.role, now)?;
        let scope = OrgScope::trusted(membership.org_id.clone());
        let zone = self.orgs.get_org(&scope).await?.zone;
        self.sessions
            .put_session(
                &scope,
                &SessionRecord {
                    jti: issued.claims.jti.clone(),
                    email: email.clone(),
                    issued_at: now,
                    expires_at: issued.expires_at,
                },
            )
            .await?;
        tracing::info!(org = %membership.org_id, role = %membership.role, "session opened");
        Ok(Grant {
            token: issued.token,
            expires_at: issued.expires_at,
            email: email.to_string(),
            org: OrgRef {
                id: membership.org_id.to_string(),
                name: membership.org_name.clone(),
                zone: zone.name().to_string(),
            },
            role: membership.role,
            memberships: memberships.iter().map(MembershipView::from).collect(),
        })
    }

    /// `POST /auth/switch`: a token for another of the caller's orgs.
    pub async fn switch(&self, session: &Session, org_id: &str) -> Result<Grant, AuthError> {
        let mut memberships = self.members.memberships(&session.email).await?;
        memberships.sort_by(|a, b| a.org_id.cmp(&b.org_id));
        let target = memberships
            .iter()
            .find(|m| m.org_id.as_str() == org_id)
            .cloned()
            .ok_or(AuthError::Forbidden)?;
        self.grant(&session.email, &target, memberships).await
    }

    /// The caller's memberships (for `/api/me` and the org switcher).
    pub async fn memberships(&self, email: &Email) -> Result<Vec<Membership>, AuthError> {
        let mut m = self.members.memberships(email).await?;
        m.sort_by(|a, b| a.org_id.cmp(&b.org_id));
        Ok(m)
    }

    /// `POST /auth/logout`: this token stops working.
    pub async fn logout(&self, session: &Session) -> Result<(), AuthError> {
        self.forget(|jti| jti == session.jti);
        self.sessions
            .revoke_session(&session.scope, &session.email, &session.jti)
            .await?;
        Ok(())
    }

    /// `POST /auth/logout-all`: every token of the caller, in every org, stops working at once on
    /// every instance (the member record's stamp); the allowlist entries are then deleted too.
    pub async fn logout_all(&self, session: &Session) -> Result<usize, AuthError> {
        let stamp = Member::revocation_stamp(self.clock.now());
        let mut revoked = 0;
        let mut orgs: Vec<OrgId> = self
            .members
            .memberships(&session.email)
            .await?
            .into_iter()
            .map(|m| m.org_id)
            .collect();
        // The current org even if the membership was removed meanwhile.
        if !orgs.contains(session.org()) {
            orgs.push(session.org().clone());
        }
        for org in orgs {
            let scope = OrgScope::trusted(org);
            match self
                .members
                .revoke_member_tokens(&scope, &session.email, stamp)
                .await
            {
                Ok(()) | Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
            revoked += self.revoke_person(&scope, &session.email).await?;
        }
        Ok(revoked)
    }

    /// Deletes every allowlist entry of `email` in the scope's org. After a removal, a role
    /// change or a stamp this is tidying, not the revocation itself: the member record already
    /// refuses the tokens, so a failure here leaves nothing open.
    pub async fn revoke_person(&self, scope: &OrgScope, email: &Email) -> Result<usize, AuthError> {
        let prefix = format!("{}|{}|", scope.org(), email);
        self.forget(|key| key.starts_with(&prefix));
        let count = self.sessions.revoke_sessions(scope, email).await?;
        Ok(count)
    }

    fn forget(&self, matches: impl Fn(&str) -> bool) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|k, _| {
                let jti = k.rsplit('|').next().unwrap_or_default();
                !(matches(k) || matches(jti))
            });
        }
    }

    /// Verifies a bearer token, then reads the member record (always: a removal, a role change or
    /// a logout-everywhere stamp acts at once) and checks the token's `jti` is still on the
    /// allowlist (a positive answer trusted for [`ALLOWLIST_CACHE_SECS`]).
    pub async fn authenticate(&self, bearer: &str) -> Result<Session, AuthError> {
        let now = self.clock.now();
        let claims: Claims = self.tokens.verify(bearer, now)?;
        let org = OrgId::parse(&claims.org_id).map_err(|_| AuthError::Unauthorized)?;
        let email = Email::parse(&claims.email).map_err(|_| AuthError::Unauthorized)?;
        let scope = OrgScope::trusted(org);
        let issued_at = claims.issued_at().ok_or(AuthError::Unauthorized)?;
        match self.members.get_member(&scope, &email).await? {
            Some(m) if m.role == claims.role && m.accepts_token_issued_at(issued_at) => {}
            _ => return Err(AuthError::Unauthorized),
        }
        let cache_key = format!("{}|{}|{}", scope.org(), email, claims.jti);
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(&cache_key).copied());
        let fresh = cached.is_some_and(|at| at.elapsed().as_secs() < ALLOWLIST_CACHE_SECS);
        if !fresh {
            if !self
                .sessions
                .session_active(&scope, &email, &claims.jti, now)
                .await?
            {
                return Err(AuthError::Unauthorized);
            }
            if let Ok(mut cache) = self.cache.lock() {
                if cache.len() >= ALLOWLIST_CACHE_MAX {
                    cache.retain(|_, at| at.elapsed().as_secs() < ALLOWLIST_CACHE_SECS);
                    if cache.len() >= ALLOWLIST_CACHE_MAX {
                        cache.clear();
                    }
                }
                cache.insert(cache_key, Instant::now());
            }
        }
        Ok(Session {
            email,
            role: claims.role,
            scope,
            jti: claims.jti,
            expires_at: DateTime::from_timestamp(claims.exp, 0).unwrap_or(now),
        })
    }
}

fn signin_email(to: &Email, link: &str, code: &str, reason: SigninReason<'_>) -> OutgoingEmail {
    let (subject, intro) = match reason {
        SigninReason::Requested => (
            "Your Ship Captain Crew sign-in link".to_string(),
            "Here is the sign-in link you asked for.".to_string(),
        ),
        SigninReason::Invited { org_name } => (
            format!("You're invited to {org_name} on Ship Captain Crew"),
            format!("You have been added to {org_name}'s crew on Ship Captain Crew."),
        ),
    };
    let text = format!(
        "{intro}\n\nSign in: {link}\n\nOn another device? Enter this code instead: {code}\n\n\
The link and the code work once, for 10 minutes. If you did not ask to sign in, ignore this email."
    );
    let html = mail::layout(
        &subject,
        &format!(
            "<p style=\"margin:0 0 8px 0;\">{intro}</p>{button}\
<p style=\"margin:16px 0 4px 0;\">On another device? Enter this code instead:</p>\
<p style=\"margin:0 0 16px 0;font-family:Menlo,Consolas,monospace;font-size:26px;letter-spacing:.12em;font-weight:bold;\">{code}</p>\
<p style=\"margin:0;color:#46566b;font-size:14px;\">The link and the code work once, for 10 minutes. \
If you did not ask to sign in, ignore this email.</p>",
            intro = mail::escape(&intro),
            button = mail::button(link, "Open Ship Captain Crew"),
            code = mail::escape(code),
        ),
    );
    OutgoingEmail {
        to: to.clone(),
        subject,
        html,
        text,
        headers: Vec::new(),
        category: "signin",
    }
}

fn no_account_email(to: &Email, app_url: &str) -> OutgoingEmail {
    let subject = "Your Ship Captain Crew sign-in link".to_string();
    let text = format!(
        "Someone asked to sign in to Ship Captain Crew ({app_url}) with this address, but it is not \
on any crew yet.\n\nIf you expected access, ask your office to invite this address. If it was not \
you, ignore this email."
    );
    let html = mail::layout(
        &subject,
        &format!(
            "<p style=\"margin:0 0 12px 0;\">Someone asked to sign in to Ship Captain Crew with this address, \
but it is not on any crew yet.</p><p style=\"margin:0;\">If you expected access, ask your office to invite \
this address. If it was not you, ignore this email.</p><p style=\"margin:12px 0 0 0;color:#46566b;font-size:14px;\">{}</p>",
            mail::escape(app_url)
        ),
    );
    OutgoingEmail {
        to: to.clone(),
        subject,
        html,
        text,
        headers: Vec::new(),
        category: "signin",
    }
}
