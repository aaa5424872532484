"""Spiders: thin — requests, configuration and parser calls. Extraction lives in cinegraph_scrapy.parsing."""
