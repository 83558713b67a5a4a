"""The demo business, "Clínica Dental Sonrisas" (slug `demo`). Idempotent."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from crm.models import AgentConfig, FaqEntry, Role, Service, Tenant, User
from crm.services.training import enable_training, training_settings

DEMO_SLUG = "demo"
DEMO_ADMIN = "admin@clinica-demo.test"
DEMO_ML = "datos@clinica-demo.test"
# Pages allowed to embed the demo's chat widget: any local page, on any port.
DEMO_WIDGET_ORIGINS = ("http://127.0.0.1:*", "http://localhost:*")

_HOURS = {
    "mon": [["09:00", "18:00"]],
    "tue": [["09:00", "18:00"]],
    "wed": [["09:00", "18:00"]],
    "thu": [["09:00", "18:00"]],
    "fri": [["09:00", "18:00"]],
    "sat": [["09:00", "13:00"]],
    "sun": [],
}
_SERVICES = [
    ("Consulta general", 30, Decimal("25000"), "Revisión y diagnóstico con odontólogo/a."),
    ("Limpieza dental", 45, Decimal("35000"), "Limpieza profunda y eliminación de sarro."),
    ("Blanqueamiento", 60, Decimal("120000"), "Blanqueamiento en consultorio."),
    ("Control de ortodoncia", 30, Decimal("20000"), "Ajuste y control de brackets."),
]
_FAQ = [
    ("¿Qué medios de pago aceptan?",
     "Efectivo, transferencia, Mercado Pago y tarjetas de débito y crédito (hasta 3 cuotas "
     "sin interés)."),
    ("¿Atienden obras sociales o prepagas?",
     "Trabajamos con OSDE, Swiss Medical y Galeno; consultá tu plan al confirmar el turno."),
    ("¿Tienen estacionamiento?",
     "No tenemos estacionamiento propio; hay un garage a media cuadra."),
]
_STAFF = [
    (DEMO_ADMIN, "Administración", Role.admin),
    ("lucia@clinica-demo.test", "Lucía (ventas)", Role.seller),
    ("martin@clinica-demo.test", "Martín (ventas)", Role.seller),
    (DEMO_ML, "Equipo de datos", Role.ml),
]
_PERSONA = (
    "Sos el asistente virtual de Clínica Dental Sonrisas, en Buenos Aires. Respondés en "
    "español rioplatense (vos), con calidez y en pocas palabras. Ayudás a sacar, mover y "
    "cancelar turnos, informás servicios, precios y horarios, y si la persona lo pide la "
    "derivás con alguien del equipo. Nunca das diagnósticos médicos."
)


def seed_demo(db: Session, *, slug: str = DEMO_SLUG) -> Tenant:
    """Create or complete the demo business; safe to run any number of times.

    `slug` puts a copy of it under another slug (the scenario evals seed one per run)."""
    tenant = db.exec(select(Tenant).where(Tenant.slug == slug)).first()
    if tenant is None:
        tenant = Tenant(
            name="Clínica Dental Sonrisas",
            slug=slug,
            timezone="America/Argentina/Buenos_Aires",
            locale="es-AR",
            currency="ARS",
            address="Av. Cabildo 2040, piso 1, Belgrano, CABA",
            phone="+54 11 4785-0000",
            email="turnos@clinica-demo.test",
            business_hours=_HOURS,
            widget_origins=list(DEMO_WIDGET_ORIGINS),
        )
        db.add(tenant)
        db.flush()
    existing = {s.name for s in db.exec(select(Service).where(Service.tenant_id == tenant.id))}
    for name, minutes, price, description in _SERVICES:
        if name not in existing:
            db.add(Service(tenant_id=tenant.id, name=name, duration_minutes=minutes,
                           price=price, description=description))
    if db.exec(select(FaqEntry).where(FaqEntry.tenant_id == tenant.id)).first() is None:
        for question, answer in _FAQ:
            db.add(FaqEntry(tenant_id=tenant.id, question=question, answer=answer))
    if db.exec(select(AgentConfig).where(AgentConfig.tenant_id == tenant.id)).first() is None:
        db.add(AgentConfig(
            tenant_id=tenant.id, persona=_PERSONA,
            greeting="¡Hola! Soy el asistente de Clínica Dental Sonrisas. ¿En qué te ayudo?",
        ))
    if training_settings(db, tenant=tenant) is None:
        # First run with the corpus: the demo business lets its conversations train models,
        # and its agent gets the tool that records a customer's objection.
        enable_training(db, tenant=tenant, category="salud_dental")
        config = db.exec(select(AgentConfig).where(AgentConfig.tenant_id == tenant.id)).one()
        if "record_training_objection" not in config.enabled_tools:
            config.enabled_tools = [*config.enabled_tools, "record_training_objection"]
            db.add(config)
    emails = {u.email for u in db.exec(select(User).where(User.tenant_id == tenant.id))}
    for email, name, role in _STAFF:
        if email not in emails:
            db.add(User(tenant_id=tenant.id, email=email, name=name, role=role))
    db.flush()
    return tenant
