"""(being written)"""

from flask import Blueprint

bp = Blueprint("codebooks", __name__, url_prefix="/staff/codebooks")
