"""SQL over the one database: schema, migrations, writes and queries. No other IO."""
