"""村情通 AWS CDK app (infra/app.py)."""
