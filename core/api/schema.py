"""What the OpenAPI schema says of every endpoint, beyond each view's own words."""

# Any endpoint may answer these, in the API's one error shape (core.api.errors); an operation
# that documents one itself keeps its own words.
ERROR_RESPONSES = {
    "400": "The request is invalid: each error names its field and the reason.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "These credentials may not do this.",
    "404": "Nothing here that these credentials reach.",
    "429": "Too many requests: retry after the seconds in Retry-After.",
}
ERRORS_COMPONENT = "ErrorsDoc"


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: give every API operation the error answers it can
    give, so a client (and the schema fuzzer in the tests) knows each status it may see."""
    errors = {"$ref": f"#/components/schemas/{ERRORS_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue  # a platform's webhook answers as the platform expects, documented there
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    # An empty filter is no filter, as a browser's form sends it.
                    parameter["allowEmptyValue"] = True
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": errors}},
                    },
                )
    return result
