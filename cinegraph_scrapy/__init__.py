"""cinegraph-scrapy: import IMDb lists and event editions into a relational database."""
