# The router image: compiled once, run with production dependencies only, as an unprivileged user.
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-alpine
ENV NODE_ENV=production \
    PORT=8080 \
    ROUTES_DIR=/app/routes \
    SCHEMAS_DIR=/app/schemas \
    RBAC_FILE=/app/rbac.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY routes ./routes
COPY schemas ./schemas
COPY rbac.yaml ./rbac.yaml
USER node
EXPOSE 8080
# Ready = connected to RabbitMQ with the topology declared (and publishing not blocked).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A graceful stop (SIGTERM) lets in-flight messages finish before the broker connection closes.
STOPSIGNAL SIGTERM
CMD ["node", "dist/cli.js", "run"]
