// Swagger UI over the app's own schema; a file, not an inline script (the CSP allows none).
"use strict";
window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json",
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  tryItOutEnabled: false,
  presets: [SwaggerUIBundle.presets.apis],
});
