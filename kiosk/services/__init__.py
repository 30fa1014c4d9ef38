"""Use cases. One function = one use case = one transaction; DTOs out, typed errors for refusals."""
