"""Structured logging: one JSON object per line in production, readable lines in development."""

from typing import Any

import structlog


def structured_logging(level: str, fmt: str) -> dict[str, Any]:
    """The LOGGING setting, with structlog configured to render through it."""
    logging: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processor": structlog.processors.JSONRenderer(),
            },
            "console": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processor": structlog.dev.ConsoleRenderer(colors=False),
            },
        },
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": fmt}},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            # WeasyPrint logs each rendering step and every CSS rule it skips; the case file's
            # own logger (casefile.pdf) says what it refused to fetch.
            "weasyprint": {"level": "ERROR"},
        },
    }
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.stdlib.add_logger_name,
            structlog.stdlib.add_log_level,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    return logging
