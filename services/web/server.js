"use strict";
const { createServer } = require("./app");

const port = Number(process.env.PORT || 3000);
const server = createServer().listen(port, "0.0.0.0");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
