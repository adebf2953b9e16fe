from tests.fetch.offline import no_network, shelf

__all__ = ["no_network", "shelf"]
