"""Serve the read-only KPI tools over the Model Context Protocol (stdio or streamable HTTP)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the MCP server: list_metrics, describe_metric, list_dimension_values, resolve_question, query_metric."

    def add_arguments(self, parser):
        parser.add_argument("--transport", choices=("stdio", "http"), default="stdio")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, **options):
        from ontology.ask.mcp_server import server

        if options["transport"] == "stdio":
            server.run("stdio")
        else:
            server.run("streamable-http", host=options["host"], port=options["port"])
