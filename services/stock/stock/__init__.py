"""Paper stock levels over gRPC, with the standard grpc.health.v1 health service."""
