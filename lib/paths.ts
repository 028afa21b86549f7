/** Where the documentation UI and the OpenAPI document are served (DOCS_ENABLED). */
export const DOCUMENTATION_PREFIX = '/documentation'
