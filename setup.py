"""Packaging for scrapyd eggs (`scrapyd-deploy`). The egg carries the code and every data file read at
run time (seed data, Alembic migrations); dependencies are installed in scrapyd's environment."""

from setuptools import find_packages, setup

setup(
    name="cinegraph_scrapy",
    version="1.0.0",
    packages=find_packages(include=["cinegraph_scrapy", "cinegraph_scrapy.*"]),
    package_data={"cinegraph_scrapy.db": ["seeds.json", "migrations/script.py.mako"],
                  "cinegraph_scrapy.demo": ["*.html", "*.json"],
                  "cinegraph_scrapy.queries": ["*.graphql"],
                  "cinegraph_scrapy.canonical": ["*.json"]},
    include_package_data=True,
    entry_points={"scrapy": ["settings = cinegraph_scrapy.settings"]},
)
